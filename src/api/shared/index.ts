export { actorOf, etag, ifMatch, minPosition, originOf, setPosition, untilPosition } from './commands.js';
export { instantAndId, isInstantText } from './instants.js';
export { streamList } from './streamList.js';
export { cursorOf, emptyPage, listLimit, ownerFilter, type Router } from './lists.js';
export { answerWith, askOf, manages, noBody, pointInTimeQuery, readOne, seesCustomer, type CommerceRoutesDeps, type Ctx } from './resource.js';
