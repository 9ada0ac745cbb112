import { Field, ObjectType } from 'type-graphql';
import { Column } from 'typeorm';

/** Who created a task and when: the created_at and created_by columns of `tasks`. */
@ObjectType({ description: 'When and by whom a task was created.' })
export class Creation {
  @Field(() => Date, { description: 'Creation time (UTC, millisecond precision).' })
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  at: Date;

  @Field({ description: 'Id of the authenticated user who created the task.' })
  @Column({ name: 'created_by', type: 'varchar', length: 128 })
  by: string;
}
