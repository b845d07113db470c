export {
  apiKeyExists,
  apiKeyInput,
  apiKeys,
  createApiKeyCommands,
  presentApiKey,
  rollInput,
  type ApiKeyCommands,
  type ExistingApiKey,
  type VerifiedKey,
} from './commands.js';
export { isApiKeyToken, lastUsedOf, type ApiKeyTables } from './secrets.js';
