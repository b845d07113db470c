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
  // A system part (no role) manages nobody through this path.
  const who = actor.role ?? actor.id;
  throw new ForbiddenError(
    'user.forbidden',
    grant === undefined ? `a ${who} cannot manage a ${target}` : `a ${who} cannot change a ${target} into a ${grant}`,
    { actorRole: actor.role ?? null, targetRole: target, ...(grant && { requestedRole: grant }) },
  );
};
