import { meResponseSchema } from "@plumbline/api/contract/me.js";
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from "react";
import { type ApiClient, createApiClient, fetchIdentity } from "./api/client.js";
import type { Identity } from "./api/types.js";

const storageKey = "plumbline.token";

/** The signed-in token's client and identity; the UI offers only what `identity.role` may do. */
export interface Session {
  api: ApiClient;
  identity: Identity;
  signOut: () => void;
}

const SessionContext = createContext<Session | null>(null);

/** The current session; only pages rendered after sign-in call it. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) {
    throw new Error("useSession outside a signed-in page");
  }
  return session;
}

/** True when the signed-in token may change things (trigger scans, manage tokens). */
export function useIsAdmin(): boolean {
  return useSession().identity.role === "admin";
}

type SessionState =
  | { phase: "checking" }
  | { phase: "signed-out"; notice: string | null }
  | { phase: "signed-in"; token: string; identity: Identity };

function readStoredToken(): string | null {
  try {
    return window.sessionStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

/**
 * Keeps the token in sessionStorage (gone when the tab closes, never in a cookie or the URL)
 * and checks it with `GET /api/v1/me` before showing any page.
 */
export function useSessionState() {
  const [state, setState] = useState<SessionState>(() =>
    readStoredToken() === null ? { phase: "signed-out", notice: null } : { phase: "checking" },
  );

  const signOut = useCallback((notice: string | null = null) => {
    window.sessionStorage.removeItem(storageKey);
    setState({ phase: "signed-out", notice });
  }, []);

  const signIn = useCallback(async (token: string) => {
    const identity = await fetchIdentity(token, meResponseSchema);
    window.sessionStorage.setItem(storageKey, token);
    setState({ phase: "signed-in", token, identity });
  }, []);

  useEffect(() => {
    const stored = readStoredToken();
    if (stored === null || state.phase !== "checking") {
      return;
    }
    signIn(stored).catch(() => signOut("Your session ended. Sign in again."));
  }, [state.phase, signIn, signOut]);

  return { state, signIn, signOut };
}

export function SessionProvider({
  token,
  identity,
  signOut,
  children,
}: {
  token: string;
  identity: Identity;
  signOut: (notice?: string | null) => void;
  children: ReactNode;
}) {
  const session = useMemo<Session>(
    () => ({
      api: createApiClient(token, () => signOut("Your token is no longer valid. Sign in again.")),
      identity,
      signOut: () => signOut(null),
    }),
    [token, identity, signOut],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
