//! The domain event bus: local delivery, shop filtering, the size limit, delivery after
//! commit, and (on PostgreSQL) delivery across processes through LISTEN/NOTIFY.

mod bus;
mod cross_process;
