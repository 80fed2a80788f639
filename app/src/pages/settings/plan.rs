//! Settings › Plan (`/settings/plan`): the shop's plan with this period's usage, what became of
//! the last plan choice on Shopify's approval page, the plans side by side and the usage charge
//! history. Choosing a plan sends the whole tab to Shopify, which sends the merchant back here
//! with `?billing=return`; the page then re-reads billing from Shopify (`refreshBilling`).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::super::{Heading, with_data};
use crate::api::{
    self, ApiError, BillingMode, BillingOverview, Charge, PlanOffer, SubscriptionStatus,
    SubscriptionView, UsageMeter,
};
use crate::app::PlanGate;
use crate::components::{
    Badge, Banner, Button, ButtonVariant, Card, DataTable, EmptyState, Page, Tone,
};
use crate::{bridge, format, location};

/// Loads the page's data: after Shopify's approval page (or, in managed pricing, whenever the
/// shop has no plan yet) billing is re-read from Shopify first.
async fn load(returning: bool) -> Result<BillingOverview, ApiError> {
    if returning {
        return api::refresh_billing().await;
    }
    let overview = api::billing().await?;
    if overview.mode == BillingMode::Managed && overview.current.is_none() {
        return api::refresh_billing().await;
    }
    Ok(overview)
}

/// The plan page.
#[component]
pub fn PlanPage() -> impl IntoView {
    bridge::set_title("Plan");
    let gate = use_context::<PlanGate>();
    let returning = location::query_param("billing").as_deref() == Some("return");
    let data = LocalResource::new(move || async move {
        let result = load(returning).await;
        if let (Ok(overview), Some(gate)) = (&result, gate) {
            gate.set(overview.current.is_some());
        }
        result
    });
    let heading = Heading {
        title: "Plan",
        from_data: false,
    };
    view! {
        <div id="page-plan">
            {with_data(
                heading,
                data,
                move |overview: BillingOverview| view! { <PlanContent overview returning/> },
            )}
        </div>
    }
}

#[component]
fn PlanContent(overview: BillingOverview, returning: bool) -> impl IntoView {
    let refused = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<String>);
    let outcome = outcome(&overview, returning);
    let outcome = outcome.map(|(tone, message)| {
        view! { <Banner tone id="billing-outcome"><p>{message}</p></Banner> }
    });
    let refused_banner = move || {
        refused.get().map(|reason| {
            view! {
                <Banner
                    tone=Tone::Critical
                    title="Shopify didn't start the plan change"
                    dismissible=true
                    on_dismiss=Callback::new(move |()| refused.set(None))
                    id="plan-refused"
                >
                    <p>{reason}</p>
                </Banner>
            }
        })
    };
    let currency = overview.currency.clone();
    let current_card = current_card(&overview);
    let cards = overview
        .plans
        .iter()
        .cloned()
        .map(|plan| {
            let currency = currency.clone();
            view! { <PlanCard plan currency busy refused/> }
        })
        .collect_view();
    let charges = charges_card(overview.charges.clone(), &currency);
    view! {
        <Page title="Plan" subtitle="What your store can do with EcomCRM, billed through Shopify">
            {outcome}
            {refused_banner}
            {current_card}
            <section class="p-plan-section" id="plans" aria-labelledby="plans-heading">
                <h2 class="p-section-heading" id="plans-heading">"Plans"</h2>
                <div class="p-plan-grid">{cards}</div>
                <p class="p-text-secondary p-plan-note">
                    "Prices are per 30 days and billed by Shopify on your store's bill. "
                    "Changing plans takes effect once you approve it on Shopify."
                </p>
            </section>
            {charges}
        </Page>
    }
}

/// The banner about the last plan choice: what Shopify did with it, when that is not simply the
/// plan the shop is on (or, right after approving, that it is now).
fn outcome(overview: &BillingOverview, returning: bool) -> Option<(Tone, String)> {
    let latest = overview.latest.as_ref()?;
    let current = overview.current.as_ref();
    let same = current.is_some_and(|c| c.created_at == latest.created_at && c.name == latest.name);
    let name = &latest.name;
    let still = match current {
        Some(current) => format!(" You're still on the {} plan.", current.name),
        None => " Choose a plan to start using EcomCRM.".to_string(),
    };
    if same {
        return (returning && latest.status == SubscriptionStatus::Active)
            .then(|| (Tone::Success, format!("You're on the {name} plan")));
    }
    match latest.status {
        SubscriptionStatus::Declined => Some((
            if current.is_some() {
                Tone::Warning
            } else {
                Tone::Critical
            },
            format!("You declined the {name} plan, so nothing was charged.{still}"),
        )),
        SubscriptionStatus::Expired => Some((
            Tone::Warning,
            format!(
                "The approval for {name} expired before it was accepted, so nothing was \
                 charged.{still}"
            ),
        )),
        SubscriptionStatus::Cancelled => Some((
            Tone::Warning,
            format!("The {name} plan was cancelled.{still}"),
        )),
        SubscriptionStatus::Pending => Some((
            Tone::Info,
            format!(
                "The {name} plan is waiting for your approval on Shopify. Choose it again to \
                 open the approval page."
            ),
        )),
        SubscriptionStatus::Active if returning => {
            Some((Tone::Success, format!("You're on the {name} plan")))
        }
        _ => None,
    }
}

/// The "Current plan" card: the plan, its status, trial and this period's usage bars; without a
/// plan, what to do.
fn current_card(overview: &BillingOverview) -> AnyView {
    let Some(current) = overview.current.clone() else {
        let trial = overview
            .plans
            .iter()
            .map(|p| p.trial_days)
            .max()
            .unwrap_or(0);
        let trial = if trial > 0 {
            format!(" Every plan starts with a free trial of {trial} days.")
        } else {
            String::new()
        };
        return view! {
            <Card title="Current plan" id="current-plan">
                <p id="current-plan-none">
                    {format!("Your store isn't on a plan yet. Choose one below to start using \
                              EcomCRM.{trial}")}
                </p>
            </Card>
        }
        .into_any();
    };
    let offer = overview.current_plan().cloned();
    let SubscriptionView {
        name,
        status,
        test,
        trial_ends_at,
        ..
    } = current;
    let (tone, label) = match status {
        SubscriptionStatus::Active => (Tone::Success, "Active"),
        SubscriptionStatus::Frozen => (Tone::Critical, "Frozen"),
        _ => (Tone::Neutral, "Unknown"),
    };
    let price = offer.as_ref().map(|offer| {
        view! {
            <p class="p-current-plan__price">
                {format::money(&offer.monthly_price, &overview.currency)}
                <span class="p-text-secondary">" / 30 days"</span>
            </p>
        }
    });
    let frozen = (status == SubscriptionStatus::Frozen).then(|| {
        view! {
            <Banner tone=Tone::Critical id="plan-frozen">
                <p>
                    "Shopify could not collect payment; EcomCRM is read-only until your bill is \
                     paid."
                </p>
            </Banner>
        }
    });
    let test_note = test.then(|| {
        view! {
            <p class="p-text-secondary" id="plan-test-note">
                "Test charge: this store is not billed for it."
            </p>
        }
    });
    let trial = trial_ends_at.map(|at| {
        view! {
            <p class="p-text-secondary" id="plan-trial">
                {format!("Free trial until {}", format::date(&at))}
            </p>
        }
    });
    let period = match (&overview.period_start, &overview.period_end) {
        (Some(start), Some(end)) => format!(
            "This period: {} – {}",
            format::date(start),
            format::date(end)
        ),
        _ => "This period".to_string(),
    };
    let meters = overview.usage.iter().cloned().map(usage_bar).collect_view();
    view! {
        <Card title="Current plan" id="current-plan">
            <div class="p-current-plan">
                <div>
                    <div class="p-current-plan__name-row">
                        <p class="p-current-plan__name" id="current-plan-name">{name}</p>
                        <span id="current-plan-status"><Badge tone>{label}</Badge></span>
                    </div>
                    {price}
                    {trial}
                    {test_note}
                </div>
            </div>
            {frozen}
            <div class="p-usage-list">
                <h3 class="p-subheading" id="usage-period">{period}</h3>
                {meters}
            </div>
        </Card>
    }
    .into_any()
}

/// One usage bar, Polaris ProgressBar style: the label, "1,234 of 15,000" and the bar.
fn usage_bar(meter: UsageMeter) -> impl IntoView {
    let mut label = meter.label.clone();
    if let Some(first) = label.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    let (value, percent) = match meter.limit {
        Some(limit) => {
            let percent = if limit == 0 {
                100.0
            } else {
                (meter.used as f64 / limit as f64 * 100.0).min(100.0)
            };
            (
                format!(
                    "{} of {}",
                    format::number(meter.used),
                    format::number(limit)
                ),
                percent,
            )
        }
        None => (
            format!("{} used, no limit", format::number(meter.used)),
            0.0,
        ),
    };
    let tone = if percent >= 100.0 {
        "critical"
    } else if percent >= 80.0 {
        "warning"
    } else {
        "primary"
    };
    let id = format!("usage-{}", meter.metric.replace('_', "-"));
    view! {
        <div class="p-usage" id=id>
            <div class="p-usage__head">
                <span class="p-usage__label">{label.clone()}</span>
                <span class="p-usage__value">{value}</span>
            </div>
            <div
                class="p-progress"
                role="progressbar"
                aria-label=label
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=format!("{percent:.0}")
            >
                <div
                    class=format!("p-progress__bar p-progress__bar--{tone}")
                    style:width=format!("{percent:.1}%")
                ></div>
            </div>
        </div>
    }
}

/// "2,500 customers", or "Unlimited customers".
fn limit_line(limit: Option<u64>, what: &str) -> String {
    match limit {
        Some(n) => format!("{} {what}", format::number(n)),
        None => format!("Unlimited {what}"),
    }
}

/// One plan, side by side with the others, with its choose button and, for a plan that would
/// pause something, a confirm step listing what.
#[component]
fn PlanCard(
    plan: PlanOffer,
    currency: String,
    /// The key of the plan being chosen, while `choosePlan` runs.
    busy: RwSignal<Option<String>>,
    /// Shopify's reason when it refused.
    refused: RwSignal<Option<String>>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let key = plan.key.clone();
    let name = plan.name.clone();
    let choose = {
        let key = key.clone();
        Callback::new(move |()| {
            let key = key.clone();
            busy.set(Some(key.clone()));
            refused.set(None);
            spawn_local(async move {
                match api::choose_plan(&key).await {
                    Ok(api::PlanChoice {
                        redirect_url: Some(url),
                        ..
                    }) => {
                        // The tab leaves the app; keep the button busy until it does.
                        bridge::redirect_top(&url);
                        return;
                    }
                    Ok(api::PlanChoice {
                        refused: reason, ..
                    }) => refused.set(Some(
                        reason.unwrap_or_else(|| "Shopify didn't say why.".to_string()),
                    )),
                    Err(error) => refused.set(Some(error.to_string())),
                }
                let _ = busy.try_set(None);
            });
        })
    };
    let warnings = plan.downgrade_warnings.clone();
    let needs_confirm = !warnings.is_empty();
    let on_click = Callback::new(move |()| {
        if needs_confirm {
            confirming.set(true);
        } else {
            choose.run(());
        }
    });
    let is_busy = {
        let key = key.clone();
        Signal::derive(move || busy.with(|b| b.as_deref() == Some(key.as_str())))
    };
    let any_busy = Signal::derive(move || busy.with(Option::is_some));
    let current = plan.current;
    let disabled = Signal::derive(move || current || any_busy.get());
    let button_label = {
        let name = name.clone();
        move || {
            if current {
                "Current plan".to_string()
            } else if is_busy.get() {
                "Opening Shopify…".to_string()
            } else {
                format!("Choose {name}")
            }
        }
    };
    let confirm = {
        let name = name.clone();
        move || {
            confirming.get().then(|| {
                let items = warnings
                    .iter()
                    .map(|w| view! { <li>{w.clone()}</li> })
                    .collect_view();
                let title_id = format!("confirm-{key}-title");
                let labelled_by = title_id.clone();
                let close = Callback::new(move |()| confirming.set(false));
                // A Polaris-style modal: the merchant reads what would pause before leaving for
                // Shopify's approval page.
                view! {
                    <div class="p-modal-backdrop" on:click=move |_| close.run(())></div>
                    <div
                        class="p-modal"
                        role="dialog"
                        aria-modal="true"
                        aria-labelledby=labelled_by
                        id=format!("confirm-{key}")
                    >
                        <header class="p-modal__header">
                            <h2 class="p-modal__title" id=title_id>
                                {format!("Switch to {name}?")}
                            </h2>
                        </header>
                        <div class="p-modal__body">
                            <Banner tone=Tone::Warning title="Some of your usage would pause">
                                <ul class="p-plan__warnings">{items}</ul>
                            </Banner>
                            <p class="p-text-secondary">
                                "Nothing changes until you approve the new plan on Shopify."
                            </p>
                        </div>
                        <footer class="p-modal__footer">
                            <Button on_click=close>"Cancel"</Button>
                            <Button
                                variant=ButtonVariant::Primary
                                on_click=Callback::new(move |()| {
                                    confirming.set(false);
                                    choose.run(());
                                })
                            >
                                "Switch anyway"
                            </Button>
                        </footer>
                    </div>
                }
            })
        }
    };
    let overage = match (&plan.overage_per_1000_emails, &plan.usage_cap) {
        (Some(price), Some(cap)) => format!(
            "Extra emails {} per 1,000, up to {} per 30 days",
            format::money(price, &currency),
            format::money(cap, &currency)
        ),
        (Some(price), None) => {
            format!("Extra emails {} per 1,000", format::money(price, &currency))
        }
        (None, _) => "Emails beyond the allowance wait for the next period".to_string(),
    };
    let trial = (plan.trial_days > 0).then(|| {
        view! { <p class="p-plan__trial">{format!("{}-day free trial", plan.trial_days)}</p> }
    });
    let limits = [
        limit_line(plan.customers, "customers"),
        limit_line(plan.emails_per_month, "emails per 30 days"),
        limit_line(plan.ai_requests_per_month, "AI requests per 30 days"),
        limit_line(plan.inbox_seats, "inbox seats"),
        limit_line(plan.active_automations, "automations"),
    ]
    .into_iter()
    .map(|line| view! { <li>{line}</li> })
    .collect_view();
    let warning_note = (needs_confirm && !current).then(|| {
        view! {
            <p class="p-text-warning p-plan__warning-note">
                "Some of your current usage would pause on this plan."
            </p>
        }
    });
    view! {
        <section
            class="p-card p-plan"
            class:p-plan--current=current
            id=format!("plan-{}", plan.key)
        >
            <div class="p-plan__header">
                <h3 class="p-plan__name">{name.clone()}</h3>
                {current.then(|| view! { <Badge tone=Tone::Success>"Current plan"</Badge> })}
            </div>
            <p class="p-plan__price">
                <span class="p-plan__amount">{format::money(&plan.monthly_price, &currency)}</span>
                <span class="p-text-secondary">" / 30 days"</span>
            </p>
            {trial}
            <ul class="p-plan__limits">{limits}</ul>
            <p class="p-text-secondary p-plan__overage">{overage}</p>
            {warning_note}
            <div class="p-plan__action">
                <button
                    type="button"
                    class="p-button p-button--primary p-button--full"
                    id=format!("choose-{}", plan.key)
                    disabled=move || disabled.get()
                    on:click=move |_| on_click.run(())
                >
                    {button_label}
                </button>
            </div>
            {confirm}
        </section>
    }
}

/// The usage charge history.
fn charges_card(charges: Vec<Charge>, currency: &str) -> AnyView {
    if charges.is_empty() {
        return view! {
            <Card title="Usage charges">
                <EmptyState heading="No usage charges" id="charges-empty">
                    <p>
                        "Emails beyond your plan's allowance are charged here in blocks of 1,000, "
                        "never above your plan's cap."
                    </p>
                </EmptyState>
            </Card>
        }
        .into_any();
    }
    let rows = charges
        .into_iter()
        .map(|charge| {
            let (tone, label) = match charge.status.as_str() {
                "charged" => (Tone::Success, "Charged"),
                "pending" => (Tone::Warning, "Pending"),
                "refused" => (Tone::Critical, "Refused"),
                _ => (Tone::Neutral, "Unknown"),
            };
            let detail = charge
                .detail
                .map(|d| view! { <p class="p-text-critical p-cell-wrap">{d}</p> });
            vec![
                format::date(&charge.created_at).into_any(),
                view! { <span class="p-cell-wrap">{charge.description}</span> }.into_any(),
                format::money(&charge.amount, currency).into_any(),
                view! { <div class="p-cell-stack"><Badge tone>{label}</Badge>{detail}</div> }
                    .into_any(),
            ]
        })
        .collect();
    view! {
        <Card title="Usage charges" id="charges">
            <div class="p-card__table">
                <DataTable
                    headings=vec![
                        "Date".into(),
                        "Description".into(),
                        "Amount".into(),
                        "Status".into(),
                    ]
                    rows
                    numeric=vec![false, false, true, false]
                    caption="Usage charges"
                />
            </div>
        </Card>
    }
    .into_any()
}
