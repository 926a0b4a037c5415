// Rendered by pages that show work in progress (a crawl running, a paper being fetched): the page
// cache in front of Next.js (lib/page-cache.ts) then never serves them again from memory, so a
// reload always shows the latest state. React puts the tag in the document's <head>.
export function NoPageCache() {
  return <meta name="page-cache" content="no-store" />;
}
