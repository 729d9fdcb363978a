import { Type } from '@sinclair/typebox';

/** The small pieces the resource schemas are made of. */
export const Time = Type.String({ format: 'date-time' });
export const NullableTime = Type.Union([Time, Type.Null()]);
export const NullableString = Type.Union([Type.String(), Type.Null()]);
export const literals = (values: ReadonlyArray<string>) =>
  Type.Union(values.map((value) => Type.Literal(value)));
