-- Full-text search over papers: a generated tsvector (title weighted A, abstract B, authors C) and
-- its GIN index. Edited by hand: Prisma models neither generated columns nor this index.

-- array_to_string is only STABLE, so a generated column cannot call it directly; joining author
-- names is in fact immutable, which this wrapper declares.
CREATE OR REPLACE FUNCTION paper_search_document(title text, abstract text, authors text[])
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT setweight(to_tsvector('english', coalesce(title, '')), 'A')
      || setweight(to_tsvector('english', coalesce(abstract, '')), 'B')
      || setweight(to_tsvector('simple', coalesce(array_to_string(authors, ' '), '')), 'C')
$$;

-- AlterTable
ALTER TABLE "papers" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (paper_search_document("title", "abstract", "authors")) STORED;

CREATE INDEX "papers_search_vector_idx" ON "papers" USING GIN ("search_vector");
