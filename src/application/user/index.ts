export { createUserCommands, type UserCommandResult, type UserCommands } from './commands.js';
export { emailReservationStreamName } from './emailReservation.js';
