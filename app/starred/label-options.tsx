// The reader's labels as a <datalist>, offered by every label input on the page (StarNotes).
export function LabelOptions({ id, labels }: { id: string; labels: string[] }) {
  return (
    <datalist id={id}>
      {labels.map((l) => (
        <option key={l} value={l} />
      ))}
    </datalist>
  );
}
