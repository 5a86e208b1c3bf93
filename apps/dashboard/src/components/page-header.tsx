import { type ReactNode, useEffect, useRef } from "react";

/**
 * The page's one `h1`. It takes focus when the page changes, so keyboard and screen-reader
 * users land at the top of the new page rather than on a link that is gone.
 */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Plumbline`;
    heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <header className="page-header">
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children === undefined ? null : <div className="page-header-extra">{children}</div>}
    </header>
  );
}
