-- The model a topic's vector came from. Vectors stored before this column existed have none: they
-- count as stale (re-embedded on the reader's next visit, the topic's feed, or an "all" embed run)
-- and are not compared with papers' vectors meanwhile.
-- AlterTable
ALTER TABLE "topics" ADD COLUMN     "embedding_model" TEXT;
