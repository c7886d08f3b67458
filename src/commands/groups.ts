import { Flags } from '@oclif/core'

import { KafkaError } from '../broker/kafka-error.js'
import { ExitRequest, UsageError, UserError } from '../cli/errors.js'
import { forbidTogether } from '../cli/flags.js'
import { selectGroups, type GroupSelection } from '../cli/groups/select.js'
import { renderGroupsTable } from '../cli/render/groups-table.js'
import { KafkaCommand } from '../cli/kafka-command.js'
import type { GroupListing } from '../client/groups-client.js'

// kafka-groups (GroupsCommand, Kafka 4.x; cli-4.md B.5): every group of every type with its type and
// protocol, filtered on this side as Kafka's tool filters (ListGroups is sent without filters).

export interface GroupsReport {
  groups: { groupId: string; type: string; protocol: string }[]
}

const GROUP_TYPES = ['classic', 'consumer', 'share', 'streams']

export default class Groups extends KafkaCommand<GroupsReport> {
  static override summary = 'List groups of every type with their type and protocol (kafka-groups.sh).'
  static override examples = ['<%= config.bin %> <%= command.id %> --list', '<%= config.bin %> <%= command.id %> --list --group-type classic']

  static override flags = {
    ...KafkaCommand.connectionFlags,
    list: Flags.boolean({ summary: 'List the groups.', helpGroup: 'ACTION' }),
    'group-type': Flags.string({ summary: 'Only groups of this type: classic, consumer, share or streams.' }),
    protocol: Flags.string({ summary: 'Only groups of this protocol type (consumer, connect, …; "" for none).' }),
    consumer: Flags.boolean({ summary: 'Only consumer groups (protocol consumer or none, or type Consumer).' }),
    share: Flags.boolean({ summary: 'Only share groups.' }),
    streams: Flags.boolean({ summary: 'Only streams groups.' }),
  }

  async run(): Promise<GroupsReport> {
    const { flags } = await this.parse(Groups)
    if (!flags.list) throw new UsageError('Command must include exactly one action: --list.')
    for (const [a, b] of [['consumer', 'share'], ['consumer', 'streams'], ['share', 'streams']] as const) forbidTogether(flags, a, b)
    for (const only of ['consumer', 'share', 'streams'] as const) for (const filter of ['group-type', 'protocol'] as const) forbidTogether(flags, only, filter)
    const groupType = flags['group-type']
    if (groupType !== undefined && !GROUP_TYPES.includes(groupType.toLowerCase())) throw new UserError('--group-type must be a valid group type.')
    const selection: GroupSelection = flags.consumer
      ? { kind: 'consumer' }
      : flags.share
        ? { kind: 'type', type: 'share' }
        : flags.streams
          ? { kind: 'type', type: 'streams' }
          : { kind: 'filter', ...(groupType === undefined ? {} : { type: groupType.toLowerCase() }), ...(flags.protocol === undefined ? {} : { protocol: flags.protocol }) }

    const client = await this.openClient(flags, { clientId: 'kafka-ts-groups' })
    let listed: readonly GroupListing[]
    try {
      listed = await client.groups.listGroups()
    } catch (err) {
      // Kafka prints the failure of its admin call on stdout and exits 1.
      if (!(err instanceof KafkaError)) throw err
      this.out(`Error while executing groups command : ${err.message}`)
      throw new ExitRequest(1)
    }
    const rows = selectGroups(listed, selection)
    this.out(renderGroupsTable(rows))
    return { groups: rows }
  }
}
