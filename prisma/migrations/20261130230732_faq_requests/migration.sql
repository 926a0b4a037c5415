-- AlterTable
ALTER TABLE "faqs" ADD COLUMN     "source_note" TEXT;

-- CreateTable
CREATE TABLE "faq_requests" (
    "id" UUID NOT NULL,
    "user_id" TEXT NOT NULL,
    "paper_id" TEXT NOT NULL,
    "faq_id" UUID,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "faq_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "faq_requests_user_id_created_at_idx" ON "faq_requests"("user_id", "created_at");

-- AddForeignKey
ALTER TABLE "faq_requests" ADD CONSTRAINT "faq_requests_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "faq_requests" ADD CONSTRAINT "faq_requests_faq_id_fkey" FOREIGN KEY ("faq_id") REFERENCES "faqs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

