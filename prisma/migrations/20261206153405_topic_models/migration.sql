-- AlterTable
ALTER TABLE "topics" ADD COLUMN     "include_starred" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "labels_changed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "train_note" TEXT;

-- CreateTable
CREATE TABLE "topic_models" (
    "topic_id" UUID NOT NULL,
    "labels_at" TIMESTAMP(3) NOT NULL,
    "feature_version" INTEGER NOT NULL,
    "weights" sparsevec NOT NULL,
    "terms" TEXT[],
    "embedding_model" TEXT,
    "dense" vector(384),
    "bias" DOUBLE PRECISION NOT NULL,
    "quantiles" DOUBLE PRECISION[],
    "positives" INTEGER NOT NULL,
    "negatives" INTEGER NOT NULL,
    "background" INTEGER NOT NULL,
    "learned" JSONB NOT NULL DEFAULT '{}',
    "trained_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "train_ms" INTEGER NOT NULL,

    CONSTRAINT "topic_models_pkey" PRIMARY KEY ("topic_id")
);

-- CreateTable
CREATE TABLE "paper_features" (
    "paper_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "feature_version" INTEGER NOT NULL,
    "vector" sparsevec NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "paper_features_pkey" PRIMARY KEY ("paper_id")
);

-- CreateTable
CREATE TABLE "term_df" (
    "dim" INTEGER NOT NULL,
    "df" INTEGER NOT NULL,

    CONSTRAINT "term_df_pkey" PRIMARY KEY ("dim")
);

-- AddForeignKey
ALTER TABLE "topic_models" ADD CONSTRAINT "topic_models_topic_id_fkey" FOREIGN KEY ("topic_id") REFERENCES "topics"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "paper_features" ADD CONSTRAINT "paper_features_paper_id_fkey" FOREIGN KEY ("paper_id") REFERENCES "papers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

