import type { ReactNode } from "react";
import { href } from "./routing.js";
import { useSession } from "./session.js";

interface NavItem {
  section: string;
  label: string;
  adminOnly?: boolean;
}

const navItems: NavItem[] = [
  { section: "", label: "Overview" },
  { section: "findings", label: "Findings" },
  { section: "drift", label: "Drift" },
  { section: "dataflow", label: "Data flow" },
  { section: "controls", label: "Controls" },
  { section: "waivers", label: "Waivers" },
  { section: "scans", label: "Scans" },
  { section: "tokens", label: "Tokens", adminOnly: true },
  { section: "access-log", label: "Access log", adminOnly: true },
];

function describeScope(scope: string[] | null): string {
  return scope === null ? "all owners" : scope.join(", ");
}

/** Banner, navigation and the main landmark around every signed-in page. */
export function Layout({ section, children }: { section: string; children: ReactNode }) {
  const { identity, signOut } = useSession();
  const items = navItems.filter((item) => item.adminOnly !== true || identity.role === "admin");
  return (
    <div className="shell">
      <button type="button" className="skip-link" onClick={skipToMain}>
        Skip to content
      </button>
      <header className="banner">
        <a className="brand" href={href([])}>
          <span aria-hidden="true">▍</span>Plumbline
        </a>
        <nav aria-label="Main">
          <ul>
            {items.map((item) => (
              <li key={item.section}>
                <a
                  href={href(item.section === "" ? [] : [item.section])}
                  aria-current={item.section === section ? "page" : undefined}
                >
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="identity">
          <span>
            <span className="role" data-testid="role">
              {identity.role}
            </span>{" "}
            <span className="muted">· {describeScope(identity.scope)}</span>
          </span>
          <button type="button" className="link-button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="footer muted">
        {identity.role === "admin"
          ? "Signed in as an admin: scans and tokens can be changed here."
          : "Read-only view of the evidence Plumbline collected."}{" "}
        Times are UTC.
      </footer>
    </div>
  );
}

// A skip link's `#main` would read as a page to the hash router, so the control moves focus.
function skipToMain() {
  document.getElementById("main")?.focus();
}
