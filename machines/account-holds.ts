/**
 * Account holds: one account kept from starting runs while the others go on. Today's only cause is an
 * exhausted daily login budget (issue 13.8): a crash loop had spent agent1's logins, its runs failed as
 * `erp-unreachable`, and the shared breaker then opened for every account. The budget's failure is its own
 * class (`login-budget-exhausted`), which never counts toward the breaker and holds only its account
 * until the budget resets at the next midnight of the ERP's time zone (LOGIN_BUDGET_EXHAUSTED in `why`).
 */
import { nextLocalMidnight } from './local-time.js';
import { emit, type Report, withContext, type Tx } from './transaction.js';
import type { AccountHold, OrchestratorContext } from './types.js';

/** True when a failure says the account's login budget is used up. */
export function exhaustsLoginBudget(failure: string): boolean {
  return failure === 'login-budget-exhausted';
}

/** The hold in force on an account at the context's `now`, or `null`. */
export function accountHoldOf(context: OrchestratorContext, account: string): AccountHold | null {
  const hold = context.accountHolds?.[account];
  return hold !== undefined && hold.until > context.now ? hold : null;
}

/** Holds that have reached their end. */
export function endedAccountHolds(context: OrchestratorContext): AccountHold[] {
  return Object.values(context.accountHolds ?? {}).filter((hold) => hold.until <= context.now);
}

/** `target.failed` with `login-budget-exhausted`: holds the run's account until the next local midnight. */
export function holdAccountForLoginBudget(tx: Tx, event: Report<'target.failed'>): Tx {
  const account = tx.ctx.targets[event.target]?.account;
  if (account === undefined) return tx;
  const hold: AccountHold = {
    account,
    reason: 'LOGIN_BUDGET_EXHAUSTED',
    target: event.target,
    since: tx.ctx.now,
    until: nextLocalMidnight(tx.ctx.now, tx.ctx.erpTimeZone),
    message: event.message,
  };
  const next = withContext(tx, { accountHolds: { ...tx.ctx.accountHolds, [account]: hold } });
  return emit(next, { type: 'account.held', at: tx.ctx.now, account, reason: hold.reason, target: event.target, until: hold.until });
}

/** Ends the holds whose time has come (the budget reset): their accounts start runs again. */
export function releaseEndedAccountHolds(tx: Tx): Tx {
  const ended = endedAccountHolds(tx.ctx);
  if (ended.length === 0) return tx;
  const gone = new Set(ended.map((hold) => hold.account));
  const accountHolds = Object.fromEntries(Object.entries(tx.ctx.accountHolds).filter(([account]) => !gone.has(account)));
  return ended.reduce(
    (acc, hold) => emit(acc, { type: 'account.released', at: acc.ctx.now, account: hold.account, reason: hold.reason }),
    withContext(tx, { accountHolds }),
  );
}

