-- AlterTable
ALTER TABLE "crawl_runs" ADD COLUMN     "paper_ids" TEXT[] DEFAULT ARRAY[]::TEXT[];

