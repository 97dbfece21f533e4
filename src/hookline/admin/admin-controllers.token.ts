/** The admin controllers as one instance of the admin module mounts them (for the OpenAPI document). */
export const HOOKLINE_ADMIN_CONTROLLERS = Symbol('HOOKLINE_ADMIN_CONTROLLERS');
