"use client";
// Re-renders the page from the server every few seconds while something it shows is in progress.
// Such a page is out of date in seconds, so it tells the page cache (lib/page-cache.ts) not to keep it.
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { NoPageCache } from "./no-page-cache";

export function AutoRefresh({ seconds }: { seconds: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => router.refresh(), seconds * 1000);
    return () => clearInterval(timer);
  }, [router, seconds]);
  return <NoPageCache />;
}
