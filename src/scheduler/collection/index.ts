export { collectionTriggers, type CollectionTriggerName } from './triggers.js';
