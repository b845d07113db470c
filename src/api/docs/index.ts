export { openApiDocument, type OpenApiOptions } from './openapi.js';
export { docsRoutes } from './routes.js';
