/** The built-in Management API's identifier (migrations/0003_management_api.sql). */
export const MANAGEMENT_AUDIENCE = 'urn:edge-auth:management-api';
