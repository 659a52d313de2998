import type { Metadata } from 'next';
import { TaskScreen } from '~/components/compliance/task-screen';
import { findNavItem } from '~/components/nav';
import { RoleGate } from '~/components/role-gate';

const item = findNavItem('/compliance');

export const metadata: Metadata = { title: 'Tarefa de conformidade' };

export default async function ComplianceTaskPage({ params }: { params: Promise<{ taskId: string }> }) {
  const { taskId } = await params;
  return (
    <RoleGate roles={item.roles}>
      
      <TaskScreen taskId={taskId} />
    </RoleGate>
  );
}
