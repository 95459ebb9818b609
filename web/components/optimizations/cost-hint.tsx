import type { SplitIn } from "@/lib/types/optimizations";

import { minimumCalls, splitSizes } from "./history";

/**
 * What the split means for this dataset, and whether the budget even covers scoring the
 * starting prompt plus the final test scoring (a run that cannot do both fails, unless the
 * answers are cached). The test split costs nothing during the search, which never reads
 * it: it is scored at the end, once for the start and once for the winner.
 */
export function CostHint({ items, split, calls }: { items: number | null; split: SplitIn; calls: number }) {
  if (items === null || !(split.train > 0 && split.val > 0)) return null;
  const sizes = splitSizes(items, split);
  const search = sizes.train + sizes.val;
  const needed = minimumCalls(sizes);
  const unused = items - sizes.train - sizes.val - sizes.test;
  return (
    <div className="space-y-1 text-sm" data-testid="cost-hint">
      <p className="text-slate-600">
        {items} items → {sizes.train} train, {sizes.val} validation, {sizes.test} test
        {/* shares are rounded down, as the API does: what is left over is not used */}
        {unused > 0 ? ` (${unused} not used)` : ""}.
      </p>
      <p className="text-slate-600">
        Scoring the starting prompt on train and validation takes {search} calls.{" "}
        {sizes.test > 0 ? (
          <>
            The {sizes.test} test cases are not scored by the search: only at the end, twice (the start and the winner),
            so {2 * sizes.test} calls are set aside from the budget. At least {needed} calls in all.
          </>
        ) : (
          <>No test split: the result is reported on validation, which also chose the winner.</>
        )}
      </p>
      {calls < needed && (
        <p role="alert" className="text-amber-700">
          The budget of {calls} calls is smaller than the {needed} calls needed to score the starting prompt
          {sizes.test > 0 ? " and, at the end, the test split twice" : ""}: the run will fail unless those answers are
          already cached. Raise the budget or lower the shares.
        </p>
      )}
    </div>
  );
}
