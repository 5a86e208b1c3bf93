import { controlListResponseSchema } from "@plumbline/api/contract/controls.js";
import { SeverityBadge } from "../components/badges.js";
import { DataTable } from "../components/data-table.js";
import { PageHeader } from "../components/page-header.js";
import { Empty, Loaded } from "../components/states.js";
import { href } from "../routing.js";
import { useApi } from "../use-api.js";

/** The control catalogue with the policy's severities and the framework requirements. */
export function ControlsPage() {
  const controls = useApi("/controls", controlListResponseSchema);
  return (
    <>
      <PageHeader title="Controls" />
      <Loaded state={controls} what="controls">
        {({ items }) =>
          items.length === 0 ? (
            <Empty>The catalogue is empty.</Empty>
          ) : (
            <DataTable
              scroll
              className="controls-table"
              caption="Control catalogue"
              columns={["Control", "Severity", "What passes", "Frameworks"]}
            >
              {items.map((control) => (
                <tr key={control.id} className={control.enabled ? undefined : "disabled-row"}>
                  <th scope="row">
                    <a className="mono" href={href(["findings"], { control: control.id })}>
                      {control.id}
                    </a>
                    {control.enabled ? null : <span className="badge">disabled</span>}
                  </th>
                  <td>
                    <SeverityBadge severity={control.severity} />
                    {control.severity === control.defaultSeverity ? null : (
                      <span className="subtle">default {control.defaultSeverity}</span>
                    )}
                  </td>
                  <td className="wrap">
                    {control.title}
                    <details>
                      <summary>Why and how to fix</summary>
                      <p>{control.rationale}</p>
                      {control.remediation.azure === undefined ? null : (
                        <p>
                          <strong>Azure:</strong> {control.remediation.azure}
                        </p>
                      )}
                      {control.remediation.aws === undefined ? null : (
                        <p>
                          <strong>AWS:</strong> {control.remediation.aws}
                        </p>
                      )}
                    </details>
                  </td>
                  <td className="wrap frameworks">
                    {control.frameworks.map((mapping) => (
                      <span
                        key={`${mapping.framework}:${mapping.requirement}`}
                        className="chip"
                        title={`${mapping.frameworkTitle}: ${mapping.requirementTitle}`}
                      >
                        {mapping.framework} {mapping.requirement}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </Loaded>
    </>
  );
}
