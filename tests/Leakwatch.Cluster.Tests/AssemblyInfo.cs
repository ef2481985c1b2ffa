// One cluster at a time: its tests stop and start shared servers (a replica, PostgreSQL, Redis).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
