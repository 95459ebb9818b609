/** One term and its value in a <dl>: the figures on every detail page look alike. */
export function Fact({
  term,
  children,
  testId,
}: {
  term: string;
  children: React.ReactNode;
  testId?: string;
}) {
  return (
    <div>
      <dt className="text-xs uppercase text-slate-500">{term}</dt>
      <dd className="font-medium text-slate-900 tabular-nums" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}
