"use client";
// Loads the rest of a listing page by page as the reader scrolls (or all of it at once when the
// keyword filter asks, so that a filter covers the whole day), appending server-rendered cards.
import { useCallback, useEffect, useRef, useState } from "react";

export const LOAD_ALL_EVENT = "papers:load-all";

export function MorePapers({ url, loaded, total, pageSize }: { url: string; loaded: number; total: number; pageSize: number }) {
  const [count, setCount] = useState(loaded);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  const sentinel = useRef<HTMLDivElement>(null);

  const load = useCallback(
    async (all = false) => {
      if (busy.current) return;
      busy.current = true;
      setError(null);
      let offset = count;
      try {
        do {
          const response = await fetch(`${url}&offset=${offset}&limit=${all ? total - offset : pageSize}`);
          if (!response.ok) throw new Error(await response.text());
          document.getElementById("papers")?.insertAdjacentHTML("beforeend", await response.text());
          offset = Number(response.headers.get("x-next-offset") ?? total);
        } while (all && offset < total);
        setCount(offset);
      } catch (e) {
        setError(`More papers could not be loaded (${(e as Error).message.slice(0, 120)}).`);
      } finally {
        busy.current = false;
      }
    },
    [count, url, total, pageSize],
  );

  useEffect(() => {
    const onAll = () => void load(true);
    window.addEventListener(LOAD_ALL_EVENT, onAll);
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void load(), { rootMargin: "800px" });
    if (sentinel.current) observer.observe(sentinel.current);
    return () => {
      window.removeEventListener(LOAD_ALL_EVENT, onAll);
      observer.disconnect();
    };
  }, [load]);

  if (count >= total) return null;
  return (
    <div ref={sentinel} className="more-papers">
      <button type="button" onClick={() => void load()}>{`Show ${Math.min(pageSize, total - count)} more (${total - count} left)`}</button>
      {error ? <p role="alert">{error}</p> : null}
    </div>
  );
}
