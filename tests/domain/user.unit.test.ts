import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type Actor, type Role } from '../../src/domain/shared/index.js';
import { isActiveManager, userDecider, type UserEvent, type UserRegistered } from '../../src/domain/user/index.js';
import { deciderSpec } from '../support/deciderSpec.js';

const NOW = '2026-02-01T08:00:00.000Z';
const LATER = '2026-02-02T08:00:00.000Z';
const spec = deciderSpec(userDecider);
const manager: Actor = { id: 'usr_mgr', role: 'MANAGER' };
const admin: Actor = { id: 'usr_adm', role: 'ADMIN' };

const registered = (role: Role = 'USER'): UserRegistered => ({
  type: 'UserRegistered',
  data: { userId: 'usr_1', email: 'ada@example.com', displayName: 'Ada', role, registeredAt: NOW },
});
const deactivated: UserEvent = { type: 'UserDeactivated', data: { userId: 'usr_1', deactivatedAt: NOW } };

describe('User', () => {
  describe('registering', () => {
    const register = {
      type: 'RegisterUser' as const,
      data: { userId: 'usr_1', email: 'ada@example.com', displayName: ' Ada ', role: 'USER' as const, now: NOW },
    };
    it('records the user, display name trimmed', () =>
      spec.given([]).when(register).then([{ ...registered(), data: { ...registered().data, displayName: 'Ada' } }]));
    it('is a no-op when the same registration is retried', () => spec.given([registered()]).when(register).then([]));
    it('refuses another registration on the same id', () =>
      spec.given([registered()]).when({ ...register, data: { ...register.data, email: 'bob@example.com' } }).then({
        error: ConflictError,
        reason: 'user.already_registered',
      }));
    it('refuses an empty display name', () =>
      spec.given([]).when({ ...register, data: { ...register.data, displayName: '  ' } }).then({
        error: ValidationError,
        reason: 'user.display_name_empty',
      }));
  });

  describe('changing the role', () => {
    it('records from and to', () =>
      spec
        .given([registered('USER')])
        .when({ type: 'ChangeUserRole', data: { to: 'ADMIN', actor: admin, now: LATER } })
        .then([{ type: 'UserRoleChanged', data: { userId: 'usr_1', from: 'USER', to: 'ADMIN', changedAt: LATER } }]));
    it('is a no-op to the role the user has', () =>
      spec.given([registered('ADMIN')]).when({ type: 'ChangeUserRole', data: { to: 'ADMIN', actor: manager, now: LATER } }).then([]));
    it('refuses a deactivated user', () =>
      spec
        .given([registered(), deactivated])
        .when({ type: 'ChangeUserRole', data: { to: 'ADMIN', actor: manager, now: LATER } })
        .then({ error: ConflictError, reason: 'user.inactive' }));
    it('refuses an unknown user', () =>
      spec.given([]).when({ type: 'ChangeUserRole', data: { to: 'ADMIN', actor: manager, now: LATER } }).then({
        error: NotFoundError,
        reason: 'user.not_found',
      }));
  });

  describe('deactivating and reactivating', () => {
    it('deactivates with a reason, then is idempotent', () => {
      spec
        .given([registered()])
        .when({ type: 'DeactivateUser', data: { reason: 'left the company', actor: admin, now: LATER } })
        .then([{ type: 'UserDeactivated', data: { userId: 'usr_1', reason: 'left the company', deactivatedAt: LATER } }]);
      spec.given([registered(), deactivated]).when({ type: 'DeactivateUser', data: { actor: admin, now: LATER } }).then([]);
    });
    it('reactivates, then is idempotent', () => {
      spec
        .given([registered(), deactivated])
        .when({ type: 'ReactivateUser', data: { actor: admin, now: LATER } })
        .then([{ type: 'UserReactivated', data: { userId: 'usr_1', reactivatedAt: LATER } }]);
      spec.given([registered()]).when({ type: 'ReactivateUser', data: { actor: admin, now: LATER } }).then([]);
    });
  });

  describe('state, as a command answer is built from it', () => {
    const fold = (events: UserEvent[]) => events.reduce(userDecider.evolve, userDecider.initialState());
    const roleChanged: UserEvent = { type: 'UserRoleChanged', data: { userId: 'usr_1', from: 'USER', to: 'MANAGER', changedAt: LATER } };
    const reactivated: UserEvent = { type: 'UserReactivated', data: { userId: 'usr_1', reactivatedAt: LATER } };
    it('takes its times from the events: registered, last updated, last deactivated', () => {
      expect(fold([registered()])).toEqual({
        status: 'active', userId: 'usr_1', email: 'ada@example.com', displayName: 'Ada', role: 'USER', registeredAt: NOW, updatedAt: NOW, deactivations: 0,
      });
      expect(fold([registered(), roleChanged])).toMatchObject({ role: 'MANAGER', registeredAt: NOW, updatedAt: LATER });
      expect(fold([registered(), deactivated])).toMatchObject({ status: 'inactive', updatedAt: NOW, deactivatedAt: NOW, deactivations: 1 });
    });
    it('keeps the last deactivation after a reactivation, so sessions begun before it stay ended', () =>
      expect(fold([registered(), deactivated, reactivated])).toMatchObject({ status: 'active', updatedAt: LATER, deactivatedAt: NOW, deactivations: 1 }));
    it('counts the deactivations: a session remembers the count it began under', () =>
      expect(fold([registered(), deactivated, reactivated, deactivated, deactivated, reactivated])).toMatchObject({ status: 'active', deactivations: 2 }));
    it('counts an active MANAGER, and nobody else, as a manager', () => {
      expect(isActiveManager(fold([registered('MANAGER')]))).toBe(true);
      expect(isActiveManager(fold([registered('MANAGER'), deactivated]))).toBe(false);
      expect(isActiveManager(fold([registered('ADMIN')]))).toBe(false);
      expect(isActiveManager(fold([]))).toBe(false);
    });
  });

  it('checks who asks before finding that nothing changes, so a no-op tells an outsider nothing', () => {
    const user: Actor = { id: 'usr_2', role: 'USER' };
    spec.given([registered(), deactivated]).when({ type: 'DeactivateUser', data: { actor: user, now: LATER } }).then({ error: ForbiddenError });
    spec.given([registered()]).when({ type: 'ReactivateUser', data: { actor: user, now: LATER } }).then({ error: ForbiddenError });
    spec.given([registered('ADMIN')]).when({ type: 'ChangeUserRole', data: { to: 'ADMIN', actor: user, now: LATER } }).then({ error: ForbiddenError });
  });

  describe('who may do what (SPEC §6)', () => {
    const roles: Role[] = ['USER', 'ADMIN', 'MANAGER', 'AUDITOR'];
    const actors = roles.map((role) => ({ id: `usr_${role.toLowerCase()}`, role }) satisfies Actor);
    /** [actor role, target role, role granted or undefined for (de)activation] → allowed */
    const allowed = (actor: Role, target: Role, grant?: Role): boolean =>
      actor === 'MANAGER' ||
      (actor === 'ADMIN' && ['USER', 'ADMIN'].includes(target) && (grant === undefined || ['USER', 'ADMIN'].includes(grant)));

    it('a system actor, which has no role, manages nobody', () =>
      spec
        .given([registered('USER')])
        .when({ type: 'DeactivateUser', data: { actor: { id: 'system:cli' }, now: LATER } })
        .then({ error: ForbiddenError, reason: 'user.forbidden' }));

    for (const actor of actors) {
      for (const target of roles) {
        it(`${actor.role} deactivating a ${target}: ${allowed(actor.role, target) ? 'allowed' : 'forbidden'}`, () => {
          const outcome = allowed(actor.role, target)
            ? [{ type: 'UserDeactivated' as const, data: { userId: 'usr_1', deactivatedAt: LATER } }]
            : { error: ForbiddenError, reason: 'user.forbidden' };
          spec.given([registered(target)]).when({ type: 'DeactivateUser', data: { actor, now: LATER } }).then(outcome);
        });
        for (const grant of roles.filter((r) => r !== target)) {
          it(`${actor.role} making a ${target} a ${grant}: ${allowed(actor.role, target, grant) ? 'allowed' : 'forbidden'}`, () => {
            const command = { type: 'ChangeUserRole' as const, data: { to: grant, actor, now: LATER } };
            if (allowed(actor.role, target, grant)) {
              expect(userDecider.decide(command, userDecider.evolve(userDecider.initialState(), registered(target)))).toHaveLength(1);
            } else {
              spec.given([registered(target)]).when(command).then({ error: ForbiddenError, reason: 'user.forbidden' });
            }
          });
        }
      }
    }
  });
});
