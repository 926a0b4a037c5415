// arXiv's category taxonomy: codes and names, aliases that are the same category, and parsing of
// listing specifications such as "cs.AI,cs.CL" (union) and "cs.AI+cs.LG-cs.CY" (union minus).

export const ARCHIVES: Record<string, string> = {
  "astro-ph": "Astrophysics",
  "cond-mat": "Condensed Matter",
  cs: "Computer Science",
  econ: "Economics",
  eess: "Electrical Engineering and Systems Science",
  "gr-qc": "General Relativity and Quantum Cosmology",
  "hep-ex": "High Energy Physics - Experiment",
  "hep-lat": "High Energy Physics - Lattice",
  "hep-ph": "High Energy Physics - Phenomenology",
  "hep-th": "High Energy Physics - Theory",
  math: "Mathematics",
  "math-ph": "Mathematical Physics",
  nlin: "Nonlinear Sciences",
  "nucl-ex": "Nuclear Experiment",
  "nucl-th": "Nuclear Theory",
  physics: "Physics",
  "q-bio": "Quantitative Biology",
  "q-fin": "Quantitative Finance",
  "quant-ph": "Quantum Physics",
  stat: "Statistics",
};

export const CATEGORIES: Record<string, string> = {
  "astro-ph.CO": "Cosmology and Nongalactic Astrophysics", "astro-ph.EP": "Earth and Planetary Astrophysics",
  "astro-ph.GA": "Astrophysics of Galaxies", "astro-ph.HE": "High Energy Astrophysical Phenomena",
  "astro-ph.IM": "Instrumentation and Methods for Astrophysics", "astro-ph.SR": "Solar and Stellar Astrophysics",
  "cond-mat.dis-nn": "Disordered Systems and Neural Networks", "cond-mat.mes-hall": "Mesoscale and Nanoscale Physics",
  "cond-mat.mtrl-sci": "Materials Science", "cond-mat.other": "Other Condensed Matter",
  "cond-mat.quant-gas": "Quantum Gases", "cond-mat.soft": "Soft Condensed Matter",
  "cond-mat.stat-mech": "Statistical Mechanics", "cond-mat.str-el": "Strongly Correlated Electrons",
  "cond-mat.supr-con": "Superconductivity",
  "cs.AI": "Artificial Intelligence", "cs.AR": "Hardware Architecture", "cs.CC": "Computational Complexity",
  "cs.CE": "Computational Engineering, Finance, and Science", "cs.CG": "Computational Geometry",
  "cs.CL": "Computation and Language", "cs.CR": "Cryptography and Security",
  "cs.CV": "Computer Vision and Pattern Recognition", "cs.CY": "Computers and Society", "cs.DB": "Databases",
  "cs.DC": "Distributed, Parallel, and Cluster Computing", "cs.DL": "Digital Libraries",
  "cs.DM": "Discrete Mathematics", "cs.DS": "Data Structures and Algorithms", "cs.ET": "Emerging Technologies",
  "cs.FL": "Formal Languages and Automata Theory", "cs.GL": "General Literature", "cs.GR": "Graphics",
  "cs.GT": "Computer Science and Game Theory", "cs.HC": "Human-Computer Interaction",
  "cs.IR": "Information Retrieval", "cs.IT": "Information Theory", "cs.LG": "Machine Learning",
  "cs.LO": "Logic in Computer Science", "cs.MA": "Multiagent Systems", "cs.MM": "Multimedia",
  "cs.MS": "Mathematical Software", "cs.NA": "Numerical Analysis", "cs.NE": "Neural and Evolutionary Computing",
  "cs.NI": "Networking and Internet Architecture", "cs.OH": "Other Computer Science", "cs.OS": "Operating Systems",
  "cs.PF": "Performance", "cs.PL": "Programming Languages", "cs.RO": "Robotics",
  "cs.SC": "Symbolic Computation", "cs.SD": "Sound", "cs.SE": "Software Engineering",
  "cs.SI": "Social and Information Networks", "cs.SY": "Systems and Control",
  "econ.EM": "Econometrics", "econ.GN": "General Economics", "econ.TH": "Theoretical Economics",
  "eess.AS": "Audio and Speech Processing", "eess.IV": "Image and Video Processing",
  "eess.SP": "Signal Processing", "eess.SY": "Systems and Control",
  "math.AC": "Commutative Algebra", "math.AG": "Algebraic Geometry", "math.AP": "Analysis of PDEs",
  "math.AT": "Algebraic Topology", "math.CA": "Classical Analysis and ODEs", "math.CO": "Combinatorics",
  "math.CT": "Category Theory", "math.CV": "Complex Variables", "math.DG": "Differential Geometry",
  "math.DS": "Dynamical Systems", "math.FA": "Functional Analysis", "math.GM": "General Mathematics",
  "math.GN": "General Topology", "math.GR": "Group Theory", "math.GT": "Geometric Topology",
  "math.HO": "History and Overview", "math.IT": "Information Theory", "math.KT": "K-Theory and Homology",
  "math.LO": "Logic", "math.MG": "Metric Geometry", "math.MP": "Mathematical Physics",
  "math.NA": "Numerical Analysis", "math.NT": "Number Theory", "math.OA": "Operator Algebras",
  "math.OC": "Optimization and Control", "math.PR": "Probability", "math.QA": "Quantum Algebra",
  "math.RA": "Rings and Algebras", "math.RT": "Representation Theory", "math.SG": "Symplectic Geometry",
  "math.SP": "Spectral Theory", "math.ST": "Statistics Theory",
  "nlin.AO": "Adaptation and Self-Organizing Systems", "nlin.CD": "Chaotic Dynamics",
  "nlin.CG": "Cellular Automata and Lattice Gases", "nlin.PS": "Pattern Formation and Solitons",
  "nlin.SI": "Exactly Solvable and Integrable Systems",
  "physics.acc-ph": "Accelerator Physics", "physics.ao-ph": "Atmospheric and Oceanic Physics",
  "physics.app-ph": "Applied Physics", "physics.atm-clus": "Atomic and Molecular Clusters",
  "physics.atom-ph": "Atomic Physics", "physics.bio-ph": "Biological Physics",
  "physics.chem-ph": "Chemical Physics", "physics.class-ph": "Classical Physics",
  "physics.comp-ph": "Computational Physics", "physics.data-an": "Data Analysis, Statistics and Probability",
  "physics.ed-ph": "Physics Education", "physics.flu-dyn": "Fluid Dynamics", "physics.gen-ph": "General Physics",
  "physics.geo-ph": "Geophysics", "physics.hist-ph": "History and Philosophy of Physics",
  "physics.ins-det": "Instrumentation and Detectors", "physics.med-ph": "Medical Physics",
  "physics.optics": "Optics", "physics.plasm-ph": "Plasma Physics", "physics.pop-ph": "Popular Physics",
  "physics.soc-ph": "Physics and Society", "physics.space-ph": "Space Physics",
  "q-bio.BM": "Biomolecules", "q-bio.CB": "Cell Behavior", "q-bio.GN": "Genomics",
  "q-bio.MN": "Molecular Networks", "q-bio.NC": "Neurons and Cognition", "q-bio.OT": "Other Quantitative Biology",
  "q-bio.PE": "Populations and Evolution", "q-bio.QM": "Quantitative Methods",
  "q-bio.SC": "Subcellular Processes", "q-bio.TO": "Tissues and Organs",
  "q-fin.CP": "Computational Finance", "q-fin.EC": "Economics", "q-fin.GN": "General Finance",
  "q-fin.MF": "Mathematical Finance", "q-fin.PM": "Portfolio Management", "q-fin.PR": "Pricing of Securities",
  "q-fin.RM": "Risk Management", "q-fin.ST": "Statistical Finance", "q-fin.TR": "Trading and Market Microstructure",
  "stat.AP": "Applications", "stat.CO": "Computation", "stat.ME": "Methodology", "stat.ML": "Machine Learning",
  "stat.OT": "Other Statistics", "stat.TH": "Statistics Theory",
};

/** Pairs arXiv treats as one category (papers carry both codes). */
const ALIAS_PAIRS: [string, string][] = [
  ["cs.NA", "math.NA"], ["cs.IT", "math.IT"], ["cs.SY", "eess.SY"], ["math.MP", "math-ph"],
  ["math.ST", "stat.TH"], ["q-fin.EC", "econ.GN"],
];

/** Every code a category is known by, itself first (cs.NA → cs.NA, math.NA). */
export function categoryAliases(code: string): string[] {
  const out = [code];
  for (const [a, b] of ALIAS_PAIRS) {
    if (a === code) out.push(b);
    if (b === code) out.push(a);
  }
  return out;
}

/** The listing codes a followed code covers: itself and aliases, and for an archive every category in it. */
export function listingCodes(code: string): string[] {
  const codes = categoryAliases(code);
  if (code in ARCHIVES) codes.push(...Object.keys(CATEGORIES).filter((c) => c.startsWith(`${code}.`)));
  return [...new Set(codes.flatMap(categoryAliases))];
}

export function isKnownCategory(code: string): boolean {
  return code in CATEGORIES || code in ARCHIVES;
}

export function categoryName(code: string): string | undefined {
  return CATEGORIES[code] ?? ARCHIVES[code];
}

// Longest codes first so that "cond-mat.mes-hall" wins over "cond-mat" while scanning.
const KNOWN = [...Object.keys(CATEGORIES), ...Object.keys(ARCHIVES)].sort((a, b) => b.length - a.length);

export class ListingSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ListingSpecError";
  }
}

export interface ListingSpec {
  /** Categories or archives whose papers are listed. */
  include: string[];
  /** Papers carrying any of these categories (or archives) are left out. */
  exclude: string[];
}

/**
 * Parses "cs.AI", "cs.AI,cs.CL", "cs.AI+cs.LG-cs.CY". Categories contain hyphens (quant-ph,
 * cond-mat.mes-hall), so the text is scanned against the known codes, longest first.
 */
export function parseListingSpec(raw: string): ListingSpec {
  const text = raw.trim();
  if (!text) throw new ListingSpecError("No category given. Try /list/cs.CL or /list/cs.AI,cs.LG.");
  if (text.length > 400) throw new ListingSpecError("That list of categories is too long.");
  const spec: ListingSpec = { include: [], exclude: [] };
  let i = 0;
  let sign: "+" | "-" = "+";
  while (i < text.length) {
    const code = KNOWN.find((c) => text.startsWith(c, i) && (i + c.length === text.length || /[,+\- ]/.test(text[i + c.length]!)));
    if (!code) {
      const bad = text.slice(i).split(/[,+ ]/)[0]!;
      throw new ListingSpecError(`"${bad}" is not an arXiv category. Categories look like cs.CL, math.NA, quant-ph or stat.ML.`);
    }
    const target = sign === "+" ? spec.include : spec.exclude;
    if (!target.includes(code)) target.push(code);
    i += code.length;
    if (i < text.length) {
      const sep = text[i]!;
      sign = sep === "-" ? "-" : "+";
      i += 1;
      if (i === text.length) throw new ListingSpecError(`The category list "${text}" ends with "${sep}".`);
    }
  }
  if (spec.include.length === 0) throw new ListingSpecError("Name at least one category to list, not only ones to leave out.");
  return spec;
}

/** The canonical text of a spec, for URLs and titles. */
export function formatListingSpec(spec: ListingSpec): string {
  return spec.include.join(",") + spec.exclude.map((c) => `-${c}`).join("");
}
