// Where the Starred page lists the papers filed under a label (used by server and client components).
export const labelHref = (label: string) => `/starred?label=${encodeURIComponent(label)}`;
