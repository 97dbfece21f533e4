import type { Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { joinPath } from './api/openapi.document';

/**
 * The controllers as served under `path`: one subclass each, carrying the path, so two apps in one
 * process can mount the admin API at different paths. Routes, guards, filters and injection are inherited.
 */
export function mountControllers(controllers: readonly Type[], path: string): Type[] {
  return controllers.map((controller) => {
    const mounted = { [controller.name]: class extends (controller as new (...args: never[]) => object) {} }[controller.name];
    const own = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '/';
    Reflect.defineMetadata(PATH_METADATA, joinPath(path, own), mounted);
    return mounted as Type;
  });
}
