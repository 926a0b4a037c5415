// A paper page's citation links (RIS for a citation manager, BibTeX) and, when the signed-in reader
// has starred the paper, their labels and note on it with the same editor as the Starred page.
import { getCurrentUser } from "@/lib/auth";
import { getStarNotes, listStarLabels } from "@/lib/queries/stars";
import { LabelOptions } from "./label-options";
import { StarNotes } from "./star-notes";

const OPTIONS_ID = "star-label-options";

export async function StarNotesPanel({ paperId, title, starred }: { paperId: string; title: string; starred: boolean }) {
  const user = starred ? await getCurrentUser() : null;
  const [notes, labels] = user ? await Promise.all([getStarNotes(user.id, paperId), listStarLabels(user.id)]) : [null, []];
  const cite = `/api/cite?id=${encodeURIComponent(paperId)}&format=`;
  return (
    <div className="paper-cite">
      <p className="export-links">
        Cite with
        <a href={`${cite}ris`} download aria-label="RIS file (Zotero, EndNote, Mendeley)">
          RIS
        </a>
        <a href={`${cite}bibtex`} aria-label="BibTeX entry">
          BibTeX
        </a>
      </p>
      {notes ? (
        <>
          <LabelOptions id={OPTIONS_ID} labels={labels.map((l) => l.label)} />
          <StarNotes paperId={paperId} title={title} labels={notes.labels} note={notes.note} optionsId={OPTIONS_ID} />
        </>
      ) : null}
    </div>
  );
}
