import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RouteMethods } from './route-methods.ts';

describe('RouteMethods', () => {
  const routes = new RouteMethods();
  routes.add('GET', '/api/v1/connections');
  routes.add('POST', '/api/v1/connections');
  routes.add(['GET', 'PATCH', 'DELETE'], '/api/v1/connections/:id');
  routes.add('HEAD', '/api/v1/connections/:id');
  routes.add('GET', '/assets/*');

  it('lists the methods of the route a path matches', () => {
    assert.deepEqual(routes.allowed('/api/v1/connections'), ['GET', 'POST']);
    assert.deepEqual(routes.allowed('/api/v1/connections/con_1'), ['DELETE', 'GET', 'HEAD', 'PATCH']);
    assert.deepEqual(routes.allowed('/assets/a/b.css'), ['GET']);
  });

  it('matches a parameter to one segment only, and literals literally', () => {
    assert.deepEqual(routes.allowed('/api/v1/connections/con_1/extra'), []);
    assert.deepEqual(routes.allowed('/api/v1/connectionsX'), []);
    assert.deepEqual(routes.allowed('/nowhere'), []);
  });
});
