export { contractAtCommand, createSubscriptionCommands, planAtCommand, subscriptionExists, subscriptions, type SubscriptionCommands } from './commands.js';
