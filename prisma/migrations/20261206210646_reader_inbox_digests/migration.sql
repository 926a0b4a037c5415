-- CreateEnum
CREATE TYPE "webhook_format" AS ENUM ('json', 'slack', 'discord');

-- CreateEnum
CREATE TYPE "digest_channel" AS ENUM ('email', 'webhook');

-- CreateEnum
CREATE TYPE "delivery_status" AS ENUM ('sending', 'sent', 'failed', 'empty');

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "inbox_visited_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "stars" ADD COLUMN     "labels" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "note" TEXT;

-- AlterTable
ALTER TABLE "topics" ADD COLUMN     "digest_email" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "webhook_format" "webhook_format" NOT NULL DEFAULT 'json',
ADD COLUMN     "webhook_url" TEXT;

-- CreateTable
CREATE TABLE "seen_marks" (
    "user_id" TEXT NOT NULL,
    "paper_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "opened_at" TIMESTAMP(3),

    CONSTRAINT "seen_marks_pkey" PRIMARY KEY ("user_id","paper_id")
);

-- CreateTable
CREATE TABLE "digest_deliveries" (
    "id" UUID NOT NULL,
    "topic_id" UUID NOT NULL,
    "date" DATE NOT NULL,
    "channel" "digest_channel" NOT NULL,
    "status" "delivery_status" NOT NULL DEFAULT 'sending',
    "papers" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "target" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMP(3),

    CONSTRAINT "digest_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "seen_marks_paper_id_idx" ON "seen_marks"("paper_id");

-- CreateIndex
CREATE INDEX "digest_deliveries_date_idx" ON "digest_deliveries"("date");

-- CreateIndex
CREATE UNIQUE INDEX "digest_deliveries_topic_id_date_channel_key" ON "digest_deliveries"("topic_id", "date", "channel");

-- AddForeignKey
ALTER TABLE "seen_marks" ADD CONSTRAINT "seen_marks_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "seen_marks" ADD CONSTRAINT "seen_marks_paper_id_fkey" FOREIGN KEY ("paper_id") REFERENCES "papers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "digest_deliveries" ADD CONSTRAINT "digest_deliveries_topic_id_fkey" FOREIGN KEY ("topic_id") REFERENCES "topics"("id") ON DELETE CASCADE ON UPDATE CASCADE;

