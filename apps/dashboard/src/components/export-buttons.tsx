import { useState } from "react";
import type { QueryValues } from "../api/client.js";
import { useSession } from "../session.js";
import { describeFailure } from "../use-api.js";

const formats = [
  { format: "csv", label: "CSV", fileName: "plumbline-findings.csv" },
  { format: "json", label: "JSON", fileName: "plumbline-findings.json" },
  { format: "sarif", label: "SARIF", fileName: "plumbline-findings.sarif" },
  { format: "ocsf", label: "OCSF", fileName: "plumbline-findings.ocsf.json" },
] as const;

/**
 * Downloads the current findings with the filters on screen. The export needs the bearer
 * token, which a plain link cannot send, so the file is fetched and handed to the browser.
 */
export function ExportButtons({ filters }: { filters: QueryValues }) {
  const { api } = useSession();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function download(format: string, fallbackName: string) {
    setBusy(format);
    setError(null);
    try {
      const file = await api.download(`/exports/${format}`, filters, fallbackName);
      const url = URL.createObjectURL(file.blob);
      const anchor = document.createElement("a");
      anchor.href = url;
      anchor.download = file.fileName;
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (failure) {
      setError(describeFailure(failure).message);
    } finally {
      setBusy(null);
    }
  }

  return (
    <fieldset className="exports">
      <legend>Export these findings</legend>
      {formats.map(({ format, label, fileName }) => (
        <button
          key={format}
          type="button"
          onClick={() => download(format, fileName)}
          disabled={busy !== null}
          aria-busy={busy === format}
        >
          {busy === format ? `${label}…` : label}
        </button>
      ))}
      {error === null ? null : (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </fieldset>
  );
}
