"use client";
// [Copy] title + abstract + link, and [BibTeX], to the clipboard, with a short confirmation.
import { useState } from "react";
import { toBibtex, type CitablePaper } from "@/lib/bibtex";

export function CopyButtons({ paper }: { paper: CitablePaper & { abstract: string } }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (what: string, text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what);
    } catch {
      setCopied("copy failed: select the text instead");
    }
    setTimeout(() => setCopied(null), 2_000);
  };
  const link = `https://arxiv.org/abs/${paper.id}v${paper.version}`;
  return (
    <>
      <button type="button" className="link-button" onClick={() => copy("Copied", `${paper.title}\n\n${paper.abstract}\n\n${link}`)}>
        Copy
      </button>
      <button type="button" className="link-button" onClick={() => copy("BibTeX copied", toBibtex(paper))}>
        BibTeX
      </button>
      <span role="status" aria-live="polite" className="copied">
        {copied ?? ""}
      </span>
    </>
  );
}
