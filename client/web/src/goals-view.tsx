/** The goals of the selected state, with what changed since its parent highlighted. */
import type { JSX } from 'preact';
import { hypLine, type GoalView } from './goals.js';

/** Props: the goals (already compared with the parent's) and whether they are loading. */
export function GoalsView({ goals, loading }: { goals?: GoalView[]; loading: boolean }): JSX.Element {
  if (!goals) return <div class="goals muted">{loading ? 'loading goals…' : 'select a state'}</div>;
  if (goals.length === 0) return <div class="goals solved" data-testid="goals">No goals: this state is solved. Press v to verify.</div>;
  return (
    <div class="goals" data-testid="goals">
      {goals.map((g, i) => (
        <div class={`goal${g.changed ? ' changed' : ''}`} key={i} data-testid="goal">
          <div class="goal-head">
            {goals.length > 1 && <span class="goal-index">goal {i + 1}</span>}
            {g.caseName && <span class="case-name">case {g.caseName}</span>}
            {g.changed && <span class="badge">changed</span>}
          </div>
          {g.hyps.map((h) => (
            <div class={`hyp${h.isNew ? ' new' : ''}${h.value !== null ? ' let' : ''}`} key={h.name}>
              {hypLine(h)}
            </div>
          ))}
          <div class={`target${g.targetChanged ? ' new' : ''}`} data-testid="target">
            ⊢ {g.target}
          </div>
        </div>
      ))}
    </div>
  );
}
