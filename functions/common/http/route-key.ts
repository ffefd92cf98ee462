/** API Gateway's route key of a route, e.g. `GET /admin/links/{code}` (`event.routeKey`). */
export const routeKeyOf = (route: { method: string; path: string }) => `${route.method} ${route.path}`;
