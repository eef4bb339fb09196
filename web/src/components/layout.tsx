/** Page building blocks: a titled section, a scrollable table region, a description list. */
import type { ComponentChildren } from 'preact';

export function Section({
  title,
  id,
  children,
  actions,
}: {
  title: string;
  id: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <section class="card" aria-labelledby={id}>
      <div class="card-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** Wide tables scroll inside their own region on a phone; the region is focusable so the keyboard can scroll it. */
export function TableRegion({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
    <section class="table-region" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}

export function Facts({ items }: { items: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="facts">
      {items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A hash in full, breakable on small screens, selectable in one go. */
export function Hash({ value, label }: { value: string; label?: string }) {
  return (
    <code class="hash" {...(label ? { 'aria-label': label } : {})}>
      {value}
    </code>
  );
}
