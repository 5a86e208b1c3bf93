import { type ReactNode, useId } from "react";

export interface Choice {
  value: string;
  label: string;
}

/** The severities a filter offers, most severe first. */
export const severityChoices: Choice[] = ["critical", "high", "medium", "low"].map((value) => ({
  value,
  label: value,
}));

/**
 * The row of filters above a list. Each filter applies itself as it changes, so the form is
 * never submitted; Enter in a text filter applies that filter only.
 */
export function FilterForm({ label, children }: { label: string; children: ReactNode }) {
  return (
    <form className="filters" aria-label={label} onSubmit={(event) => event.preventDefault()}>
      {children}
    </form>
  );
}

/** What every filter field takes: the query key it sets (`name`), its label and value. */
interface FilterProps {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
}

/** A `.field` with its label tied to the control the children render with the given id. */
function LabelledField({
  label,
  children,
}: {
  label: string;
  children: (id: string) => ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}

/** A labelled date (`YYYY-MM-DD`, empty for no filter). */
export function DateFilter({ name, label, value, onChange }: FilterProps) {
  return (
    <LabelledField label={label}>
      {(id) => (
        <input
          id={id}
          name={name}
          type="date"
          value={value}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    </LabelledField>
  );
}

/** A labelled select whose empty choice means "no filter". */
export function SelectFilter({
  name,
  label,
  value,
  onChange,
  choices,
  anyLabel = "Any",
}: FilterProps & { choices: Choice[]; anyLabel?: string }) {
  return (
    <LabelledField label={label}>
      {(id) => (
        <select
          id={id}
          name={name}
          value={value}
          onChange={(event) => onChange(event.target.value)}
        >
          <option value="">{anyLabel}</option>
          {choices.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      )}
    </LabelledField>
  );
}

/** A labelled text filter applied when the person leaves the field or presses Enter. */
export function TextFilter({
  name,
  label,
  value,
  onChange,
  placeholder,
}: FilterProps & { placeholder?: string }) {
  return (
    <LabelledField label={label}>
      {(id) => (
        <input
          id={id}
          name={name}
          type="search"
          defaultValue={value}
          key={value}
          placeholder={placeholder}
          onBlur={(event) => {
            if (event.target.value !== value) {
              onChange(event.target.value.trim());
            }
          }}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              onChange(event.currentTarget.value.trim());
            }
          }}
        />
      )}
    </LabelledField>
  );
}
