import { Type, type TSchema } from 'typebox';
import { Nullable } from './common.js';

/** A transition as the chart declares it. */
const DeclaredTransition = Type.Object({
  event: Type.String({ description: 'the event type; empty for an eventless (`always`) transition, `after <delay>` for a delayed one' }),
  guard: Nullable(Type.String(), 'the named guard, with its parameters, or null when unguarded'),
  targets: Type.Array(Type.String(), { description: 'dotted paths of the target states; empty when it only runs actions' }),
});

/**
 * The deepest chart (the root's `dispatch.paused.draining`) has four levels under its root; the schema
 * nests one more, and a state deeper than that would fail the response check loudly.
 */
const LEVELS = 5;

function stateNode(level: number): TSchema {
  return Type.Object({
    path: Type.String({ description: "dotted path from the machine's root; empty for the root" }),
    key: Type.String(),
    type: Type.Union([Type.Literal('atomic'), Type.Literal('compound'), Type.Literal('parallel'), Type.Literal('final'), Type.Literal('history')]),
    description: Nullable(Type.String(), "the state's description in the chart"),
    initial: Nullable(Type.String(), 'the initial child of a compound state'),
    on: Type.Array(DeclaredTransition),
    children: level <= 1 ? Type.Array(Type.Object({}), { maxItems: 0 }) : Type.Array(stateNode(level - 1)),
  });
}

const Machine = Type.Object({ id: Type.String(), tree: stateNode(LEVELS) });

/** `GET /api/machines`. */
export const MachinesBody = Type.Object({
  root: Machine,
  target: Machine,
});
