"use client";
// Checkout: where the order ships and how it is paid, then placeOrder with a commandId chosen here and
// kept for the attempt (a second click, a retry after a lost answer or a reload sends the same id, and
// the API has one order for it). The order page follows it once the API has accepted it.
import { Box, Button, Callout, Card, Flex, Heading, Separator, Text, TextArea, TextField } from "@radix-ui/themes";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";

import { attemptFor, finishAttempt, lineTotal, useCart } from "@/lib/cart/cart";
import { useKiroku } from "@/lib/kiroku/browser";
import { describeError, describeRejection, needsSignIn } from "@/lib/kiroku/errors";
import { formatMoney } from "@/lib/kiroku/money";
import { CommandStatusQuery, PlaceOrderMutation } from "@/lib/kiroku/orders";
import { useSession } from "@/lib/session/session";

// How long checkout follows the command before handing over to the order page, which keeps following it.
const DECIDE_WITHIN_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export default function CheckoutPage() {
  const session = useSession();
  const cart = useCart();
  const run = useKiroku();
  const router = useRouter();
  const [token, setToken] = useState("");
  const [placing, setPlacing] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const signedOut = session.ready && session.user === null;
  useEffect(() => {
    if (signedOut) {
      router.replace("/sign-in?next=/checkout");
    }
  }, [router, signedOut]);

  if (!session.ready || !cart.ready || signedOut) {
    return null;
  }
  if (cart.lines.length === 0 && !placing) {
    return (
      <Flex direction="column" gap="3">
        <Heading as="h1" size="7">
          Checkout
        </Heading>
        <Text>Your cart is empty.</Text>
      </Flex>
    );
  }

  async function place(shippingAddress: string, paymentToken: string) {
    setProblem(null);
    setPlacing(true);
    const input = {
      lines: cart.lines.map((line) => ({ productId: line.productId, quantity: line.quantity })),
      paymentToken,
      shippingAddress,
    };
    const commandId = attemptFor(input);
    try {
      const placed = (await run(PlaceOrderMutation, { input, commandId })).placeOrder;
      let status = placed.status;
      let error = placed.error;
      const until = Date.now() + DECIDE_WITHIN_MS;
      for (let pause = 200; status === "PENDING" || status === "TIMED_OUT"; pause = Math.min(pause * 1.5, 2000)) {
        if (Date.now() > until) {
          // Not decided yet: the order page follows the command from here.
          router.push(`/orders/${encodeURIComponent(placed.aggregateId)}?command=${encodeURIComponent(commandId)}`);
          return;
        }
        await sleep(pause);
        const known = (await run(CommandStatusQuery, { id: commandId })).commandStatus;
        if (known) {
          status = known.status;
          error = known.error;
        }
      }
      if (status === "REJECTED") {
        setProblem(describeRejection(error ?? { code: "", message: "" }));
        setPlacing(false);
        return;
      }
      finishAttempt(commandId, cart);
      router.push(`/orders/${encodeURIComponent(placed.aggregateId)}`);
    } catch (error) {
      if (needsSignIn(error)) {
        router.push("/sign-in?next=/checkout");
        return;
      }
      setProblem(describeError(error));
      setPlacing(false);
    }
  }

  function submitted(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (placing) {
      return;
    }
    const form = new FormData(event.currentTarget);
    void place(String(form.get("address")).trim(), String(form.get("token")).trim());
  }

  return (
    <Flex direction="column" gap="4" style={{ maxWidth: 720 }}>
      <Heading as="h1" size="7">
        Checkout
      </Heading>
      <Card>
        <Flex direction="column" gap="2" aria-label="Order summary" role="region">
          {cart.lines.map((line) => (
            <Flex key={line.productId} justify="between" gap="4">
              <Text>
                {line.quantity} × {line.name}
              </Text>
              <Text>{formatMoney(lineTotal(line), line.currency)}</Text>
            </Flex>
          ))}
          <Separator size="4" />
          {cart.totals.map((total) => (
            <Flex key={total.currency} justify="between" gap="4">
              <Text weight="bold">Total</Text>
              <Text weight="bold">{formatMoney(total.amount, total.currency)}</Text>
            </Flex>
          ))}
        </Flex>
      </Card>
      <form onSubmit={submitted} aria-label="Checkout">
        <Flex direction="column" gap="3">
          <label>
            <Text as="div" size="2" mb="1">
              Shipping address
            </Text>
            <TextArea name="address" required maxLength={1000} rows={3} placeholder="Name, street, postcode and city, country" />
          </label>
          <label>
            <Text as="div" size="2" mb="1">
              Payment token
            </Text>
            <TextField.Root
              name="token"
              required
              maxLength={200}
              value={token}
              onChange={(event) => setToken(event.currentTarget.value)}
              placeholder="The token your payment provider gave for the card"
            />
          </label>
          {session.config.demoCards.length > 0 ? (
            <Box>
              <Text as="div" size="2" color="gray" mb="1">
                Demo cards of the local payment gateway
              </Text>
              <Flex gap="2" wrap="wrap">
                {session.config.demoCards.map((card) => (
                  <Button key={card.token} type="button" variant="soft" size="1" onClick={() => setToken(card.token)}>
                    {card.label} ({card.token})
                  </Button>
                ))}
              </Flex>
            </Box>
          ) : null}
          <Button type="submit" size="3" loading={placing} disabled={placing}>
            Place order
          </Button>
        </Flex>
      </form>
      <Box aria-live="polite">
        {problem ? (
          <Callout.Root color="red" role="alert">
            <Callout.Text>{problem}</Callout.Text>
          </Callout.Root>
        ) : null}
      </Box>
    </Flex>
  );
}
