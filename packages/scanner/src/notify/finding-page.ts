/**
 * The id the API and the dashboard give a finding: base64url of the JSON array
 * `[tenant, control, subjectKey]`, so the identity travels in a URL without escaping.
 */
export function findingPageId(tenant: string | null, control: string, subjectKey: string): string {
  return Buffer.from(JSON.stringify([tenant, control, subjectKey]), "utf8").toString("base64url");
}

/** The dashboard's page for one finding; the dashboard routes on the URL's hash. */
export function findingPageUrl(
  dashboardUrl: string,
  finding: { tenant: string | null; control: string; subjectKey: string },
): string {
  const id = findingPageId(finding.tenant, finding.control, finding.subjectKey);
  return `${dashboardRoot(dashboardUrl)}/#/findings/${id}`;
}

/** The dashboard's drift timeline, where a digest sends people for the full list. */
export function driftPageUrl(dashboardUrl: string): string {
  return `${dashboardRoot(dashboardUrl)}/#/drift`;
}

function dashboardRoot(dashboardUrl: string): string {
  return dashboardUrl.replace(/\/+$/, "");
}
