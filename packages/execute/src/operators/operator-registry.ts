import { SluiceError } from '@sluice/core';
import type { Operator } from './define-operator.ts';

/** The operators a process runs, by name, registered at start. */
export class OperatorRegistry {
  readonly #operators = new Map<string, Operator>();

  constructor(operators: Iterable<Operator> = []) {
    for (const operator of operators) this.register(operator);
  }

  /**
   * Adds an operator made by `defineOperator`.
   * @throws SluiceError `operator_definition_invalid` (rule `operator_name_unique`) when the name is taken.
   */
  register(operator: Operator): Operator {
    if (this.#operators.has(operator.name)) {
      throw new SluiceError(
        'operator_definition_invalid',
        `operator ${JSON.stringify(operator.name)}: an operator with this name is already registered; operator names are unique`,
        { details: { operator: operator.name, rule: 'operator_name_unique' } },
      );
    }
    this.#operators.set(operator.name, operator);
    return operator;
  }

  /** The operator with this name, or null. */
  get(name: string): Operator | null {
    return this.#operators.get(name) ?? null;
  }

  /** Every name, in registration order. */
  names(): string[] {
    return [...this.#operators.keys()];
  }
}
