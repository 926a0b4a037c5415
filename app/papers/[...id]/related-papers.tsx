// "Related papers" on a paper's page: its nearest neighbours by meaning (pgvector, cosine), with an
// empty state that says what would fill it.
import Link from "next/link";
import { embeddingModelDir, locateModel } from "@/lib/embed/model-files";
import { relatedPapers } from "@/lib/queries/embeddings";

export async function RelatedPapers({ paperId }: { paperId: string }) {
  const { embedded, papers } = await relatedPapers(paperId, 8);
  let empty: string | null = null;
  if (!embedded) {
    empty = locateModel(embeddingModelDir()).ok
      ? "Related papers appear once this paper has been embedded (after the next crawl, or `npm run embed -- --all`)."
      : "Related papers need the embedding model: run `npm run model:download`, then `npm run embed -- --all`.";
  } else if (papers.length === 0) {
    empty = "No other papers have been embedded yet.";
  }
  return (
    <div className="paper-facts related-papers" aria-labelledby="related-title">
      <h2 id="related-title">Related papers</h2>
      {empty ? (
        <p className="muted" role="status">{empty}</p>
      ) : (
        <ol>
          {papers.map((p) => (
            <li key={p.id}>
              <Link href={`/papers/${p.id}`}>{p.title}</Link>{" "}
              <span className="muted">
                {`arXiv:${p.id} · ${p.primaryCategory} · `}
                <span title="cosine similarity of the embeddings">{`${Math.round(p.similarity * 100)}% similar`}</span>
              </span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
