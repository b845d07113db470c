import { ForbiddenError, type Actor, type Role } from '../shared/index.js';

/**
 * Who may change whom (SPEC §6): a MANAGER anyone; an ADMIN users whose role is
 * USER or ADMIN, and only into USER or ADMIN; nobody else anyone.
 */
export const assertMayManage = (actor: Actor, target: Role, grant?: Role): void => {
  if (actor.role === 'MANAGER') return;
  const adminScope: readonly Role[] = ['USER', 'ADMIN'];
  if (actor.role === 'ADMIN' && adminScope.includes(target) && (grant === undefined || adminScope.includes(grant))) {
    return;
  }
  throw new ForbiddenError(
    'user.forbidden',
    grant === undefined
      ? `a ${actor.role} cannot manage a ${target}`
      : `a ${actor.role} cannot change a ${target} into a ${grant}`,
    { actorRole: actor.role, targetRole: target, ...(grant && { requestedRole: grant }) },
  );
};
