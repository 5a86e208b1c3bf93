import { PageHeader } from "./components/page-header.js";
import { Loading } from "./components/states.js";
import { Layout } from "./layout.js";
import { AccessLogPage } from "./pages/access-log.js";
import { ControlsPage } from "./pages/controls.js";
import { DataflowIndexPage, DataflowPage } from "./pages/dataflow.js";
import { DriftPage } from "./pages/drift.js";
import { FindingPage } from "./pages/finding.js";
import { FindingsPage } from "./pages/findings.js";
import { OverviewPage } from "./pages/overview.js";
import { ResourcePage } from "./pages/resource.js";
import { ScanPage, ScansPage } from "./pages/scans.js";
import { SignInPage } from "./pages/sign-in.js";
import { TokensPage } from "./pages/tokens.js";
import { WaiversPage } from "./pages/waivers.js";
import { href, type Route, useRoute } from "./routing.js";
import { SessionProvider, useIsAdmin, useSessionState } from "./session.js";

/** Sign-in first; then the page the hash names, inside the layout. */
export function App() {
  const { state, signIn, signOut } = useSessionState();
  const route = useRoute();
  if (state.phase === "checking") {
    return (
      <main id="main" className="sign-in">
        <Loading what="your session" />
      </main>
    );
  }
  if (state.phase === "signed-out") {
    return <SignInPage notice={state.notice} onSignIn={signIn} />;
  }
  return (
    <SessionProvider token={state.token} identity={state.identity} signOut={signOut}>
      <Layout section={route.segments[0] ?? ""}>
        <Page route={route} />
      </Layout>
    </SessionProvider>
  );
}

function Page({ route }: { route: Route }) {
  const isAdmin = useIsAdmin();
  const [section = "", id] = route.segments;
  switch (section) {
    case "":
      return <OverviewPage />;
    case "findings":
      return id === undefined ? <FindingsPage route={route} /> : <FindingPage key={id} id={id} />;
    case "drift":
      return <DriftPage route={route} />;
    case "dataflow":
      return id === undefined ? <DataflowIndexPage /> : <DataflowPage key={id} tenant={id} />;
    case "resources":
      return id === undefined ? <NotFound /> : <ResourcePage key={id} reference={id} />;
    case "controls":
      return <ControlsPage />;
    case "waivers":
      return <WaiversPage />;
    case "scans":
      return id === undefined ? <ScansPage /> : <ScanPage key={id} id={id} />;
    case "access-log":
      return isAdmin ? <AccessLogPage /> : <NotFound />;
    case "tokens":
      return isAdmin ? <TokensPage /> : <NotFound />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        This address names no page. Go to the <a href={href([])}>overview</a>.
      </p>
    </>
  );
}
