import { describe, expect, it } from 'vitest';
import { orchestratorMachine, syncTargetMachine } from '../../machines/index.js';
import { testApp } from './harness.js';

interface Node {
  path: string;
  type: string;
  description: string | null;
  on: { event: string; guard: string | null; targets: string[] }[];
  children: Node[];
}

const flatten = (node: Node): Node[] => [node, ...node.children.flatMap(flatten)];

describe('GET /api/machines', () => {
  it('answers the state trees of the root and of the target machine, read from their definitions', async () => {
    const { call } = await testApp();
    const res = await call({ url: '/api/machines' });
    expect(res.statusCode).toBe(200);
    const { root, target } = res.json() as { root: { id: string; tree: Node }; target: { id: string; tree: Node } };
    expect(root.id).toBe(orchestratorMachine.id);
    expect(target.id).toBe(syncTargetMachine.id);
    expect(root.tree.type).toBe('parallel');
    expect(flatten(root.tree).map((n) => n.path)).toEqual(
      expect.arrayContaining(['dispatch.idle', 'dispatch.queued', 'dispatch.running', 'dispatch.paused.draining', 'dispatch.paused.holding', 'clock.waiting', 'clock.firing', 'erp.closed', 'erp.open', 'erp.halfOpen']),
    );
    expect(flatten(target.tree).filter((n) => n.type === 'atomic').map((n) => n.path)).toEqual(
      expect.arrayContaining(['idle', 'running.downloading', 'running.parsing', 'running.applying', 'running.finalizing', 'running.pausing', 'paused', 'retrying', 'failed']),
    );
    // Descriptions and named guards come along: what the inspector shows about each state.
    const dispatch = flatten(root.tree).find((n) => n.path === 'dispatch');
    expect(dispatch?.on).toContainEqual({ event: 'target.completed', guard: 'changedChainParent', targets: [] });
    expect(flatten(root.tree).find((n) => n.path === 'erp.open')?.description).toBe((orchestratorMachine.root.states.erp?.states.open?.description));
  });

  it('needs the token', async () => {
    const { app } = await testApp();
    expect((await app.inject({ url: '/api/machines' })).statusCode).toBe(401);
  });
});
