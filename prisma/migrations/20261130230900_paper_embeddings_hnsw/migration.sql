-- Nearest-neighbour search over paper embeddings (related papers, semantic search): an HNSW index
-- on cosine distance, the `<=>` operator. Written by hand: Prisma cannot express pgvector indexes.
-- m = 16, ef_construction = 64 are pgvector's defaults, spelled out so a change is a migration.
CREATE INDEX "paper_embeddings_embedding_hnsw_idx" ON "paper_embeddings"
  USING hnsw ("embedding" vector_cosine_ops) WITH (m = 16, ef_construction = 64);

