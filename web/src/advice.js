// Advice matched to what was exposed. The rules are data (Leakwatch.Core's ExposureAdvice, served at
// /api/advice), so the CLI, the API and this page give the same advice; matching runs here, so the server never
// learns what a person's lookup found.

/** The rules that apply to a set of exposed data classes, in the table's order. */
export function matchAdvice(rules, dataClasses) {
  const exposed = new Set(Array.from(dataClasses, (c) => c.toLowerCase()));
  return rules.filter((rule) => rule.when.some((all) => all.every((c) => exposed.has(c.toLowerCase()))));
}
