import { useId } from "react";

export interface Choice {
  value: string;
  label: string;
}

/** A labelled select whose empty choice means "no filter". */
export function SelectFilter({
  label,
  value,
  choices,
  anyLabel = "Any",
  onChange,
  name,
}: {
  label: string;
  value: string;
  choices: Choice[];
  anyLabel?: string;
  onChange: (value: string) => void;
  name: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{anyLabel}</option>
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A labelled text filter applied when the person leaves the field or presses Enter. */
export function TextFilter({
  label,
  value,
  onChange,
  name,
  placeholder,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  name: string;
  placeholder?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
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
    </div>
  );
}
